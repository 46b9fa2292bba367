from .. import x
def f(:
   pass
