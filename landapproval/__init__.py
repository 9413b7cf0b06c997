"""landapproval: who approves a Linfen land-use application, and what still blocks it."""
