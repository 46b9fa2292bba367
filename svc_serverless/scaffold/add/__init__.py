"""`svc add function|workflow|layer`: grow a service repo the way svc's template builds it."""
