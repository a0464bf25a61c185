"""cfmock: an in-process mock of the Amazon CloudFront Connection Functions API.

Put ``@mock_connection_functions`` on a test (or ``with mock_connection_functions() as cf:``)
and every boto3/botocore call to the Connection Functions API is answered by an in-memory
CloudFront that validates configs, enforces ``If-Match`` ETags and raises the modeled errors.
``check_code(code)`` lists what would stop CloudFront's runtime loading a function's code;
``stop_all()`` ends every activation (for notebooks).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cfmock._mock import mock_connection_functions, stop_all

if TYPE_CHECKING:
    from cfmock._cloudfront.distributions import Distribution
    from cfmock._cloudfront.kvs import KeyValueStore
    from cfmock._cloudfront.trust_stores import TrustStore
    from cfmock._cloudfront.values import (
        ConnectionFunction,
        FunctionConfig,
        FunctionRun,
        RecordedBlob,
        RecordedCall,
        Stage,
        StageVersion,
        Status,
    )
    from cfmock._handle import CloudFrontMock
    from cfmock._mock import Activator
    from cfmock._options import MockOptions
    from cfmock._runtime.syntax import CodeProblem, check_code
    from cfmock._viewer.connect import ConnectionAttempt, FunctionOutcome
    from cfmock._viewer.event import connection_object

__all__ = [
    "Activator",
    "CloudFrontMock",
    "CodeProblem",
    "ConnectionAttempt",
    "ConnectionFunction",
    "Distribution",
    "FunctionConfig",
    "FunctionOutcome",
    "FunctionRun",
    "KeyValueStore",
    "MockOptions",
    "RecordedBlob",
    "RecordedCall",
    "Stage",
    "StageVersion",
    "Status",
    "TrustStore",
    "check_code",
    "connection_object",
    "mock_connection_functions",
    "stop_all",
]

__version__ = "0.1.0.dev0"

# The types load on first use, so that ``import cfmock`` stays cheap (see benchmarks/).
_LAZY = {
    "Activator": "cfmock._mock",
    "CloudFrontMock": "cfmock._handle",
    "CodeProblem": "cfmock._runtime.syntax",
    "ConnectionAttempt": "cfmock._viewer.connect",
    "FunctionOutcome": "cfmock._viewer.connect",
    "connection_object": "cfmock._viewer.event",
    "ConnectionFunction": "cfmock._cloudfront.values",
    "Distribution": "cfmock._cloudfront.distributions",
    "FunctionConfig": "cfmock._cloudfront.values",
    "FunctionRun": "cfmock._cloudfront.values",
    "KeyValueStore": "cfmock._cloudfront.kvs",
    "MockOptions": "cfmock._options",
    "RecordedBlob": "cfmock._cloudfront.values",
    "RecordedCall": "cfmock._cloudfront.values",
    "Stage": "cfmock._cloudfront.values",
    "StageVersion": "cfmock._cloudfront.values",
    "Status": "cfmock._cloudfront.values",
    "TrustStore": "cfmock._cloudfront.trust_stores",
    "check_code": "cfmock._runtime.syntax",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cfmock' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
