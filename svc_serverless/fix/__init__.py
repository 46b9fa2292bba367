"""`svc lint --fix`: the rules' automatic fixes, collected, checked, then written together."""
