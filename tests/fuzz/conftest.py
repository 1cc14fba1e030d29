from tests.assessments.conftest import standard  # noqa: F401
from tests.campaigns.conftest import campaign  # noqa: F401
from tests.imports.conftest import importer_case  # noqa: F401
from tests.ledger.conftest import _media, civic  # noqa: F401
