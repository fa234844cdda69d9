"""Fuzz every operation of the published OpenAPI schema in-process (issue 17 §3).

schemathesis generates requests from the schema (valid and invalid ones) and sends them to the
Django app through its WSGI handler, as a town office and as an enterprise, with bearer tokens of
the test world. Every answer must be below 500 and have a status the schema documents (the error
envelope is documented on every operation by ``config.api.document_errors``). Bounded: a few
examples per operation and no shrinking, so the whole run takes minutes on two cores.

    .venv/bin/python -m pytest tests/fuzz -m fuzz -p no:xdist -q
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from config.api import api

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

# Operations that would take the fuzzer's own access away (its token, password, roles, account)
# or log it out; each is covered by its own tests.
EXCLUDED = [
    "auth_token_revoke",
    "auth_password_change",
    "auth_two_factor_disable",
    "auth_users_deactivate",
    "auth_role_revoke",
]
EXAMPLES = 5

schema = schemathesis.openapi.from_dict(api.get_openapi_schema()).exclude(operation_id=EXCLUDED)
schema.app = WSGIHandler()


@pytest.fixture(autouse=True)
def _one_connection():
    """Requests go through Django's WSGI handler, which closes the database connection after a
    request whose connection is not in autocommit (``close_old_connections``): the test's own
    transaction, on PostgreSQL. Django's test client unhooks it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["town_office_a", "enterprise_a"])
def token(request, world):
    from anjian.accounts.services import api_token_issue

    return api_token_issue(user=world.users[request.param], name="fuzz").raw


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_request_as_documented(case, token):
    # Each example in a savepoint, as each real request is its own transaction: a refused write
    # of one example never spoils the next on PostgreSQL.
    with transaction.atomic():
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            checks=[not_a_server_error, status_code_conformance],
        )
