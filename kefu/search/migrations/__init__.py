# kefu.search has no tables of its own. Domain migrations import the operation from here:
#   from kefu.search.migrations import AddSearchIndex
from kefu.search.operations import AddSearchIndex

__all__ = ["AddSearchIndex"]
