"""cfmock: an in-process mock of the Amazon CloudFront Connection Functions API.

Put ``@mock_connection_functions`` on a test (or ``with mock_connection_functions() as cf:``)
and every boto3/botocore call to the Connection Functions API is answered by an in-memory
CloudFront that validates configs, enforces ``If-Match`` ETags and raises the modeled errors.
"""

from cfmock._handle import CloudFrontMock
from cfmock._mock import Activator, mock_connection_functions
from cfmock._options import MockOptions
from cfmock._state import (
    ConnectionFunction,
    FunctionConfig,
    RecordedCall,
    Stage,
    StageVersion,
    Status,
)

__all__ = [
    "Activator",
    "CloudFrontMock",
    "ConnectionFunction",
    "FunctionConfig",
    "MockOptions",
    "RecordedCall",
    "Stage",
    "StageVersion",
    "Status",
    "mock_connection_functions",
]

__version__ = "0.1.0.dev0"
