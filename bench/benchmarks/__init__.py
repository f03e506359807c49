"""One module per benchmark; each registers itself with ``@bench.register``. Adding a module
here is all it takes for ``python -m bench`` to run it."""
