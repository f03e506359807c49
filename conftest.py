"""Every app's tests (``<app>/tests/``) get the project's test environment (tests/conftest.py): files in a temporary
folder, fast password hashing, empty caches, the site's own language — so no test inherits another's Russian."""

from tests.conftest import _test_environment  # noqa: F401 - an autouse fixture
