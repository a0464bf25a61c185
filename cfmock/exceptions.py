"""The two families of errors cfmock deals in.

* :class:`ServiceError` is a CloudFront error as the service models it (``PreconditionFailed``,
  ``EntityNotFound``, ...). The backend raises it; the codec turns it into CloudFront's
  ``ErrorResponse`` with the HTTP status read from botocore's model, so the code under test
  receives a ``botocore.exceptions.ClientError`` exactly as it would from AWS.
* :class:`CfmockError` and its subclasses are *usage* errors: mistakes in how a test uses cfmock.
  They are raised in the test process and never travel over the wire.
"""

from __future__ import annotations

__all__ = [
    "CfmockError",
    "DistributionNotFoundError",
    "FunctionNotFoundError",
    "InvalidSeedError",
    "NotStartedError",
    "TrustStoreNotFoundError",
    "ServiceError",
    "StoreNotFoundError",
    "UnsupportedFeatureError",
    "UnsupportedOperationError",
]

DOCS_URL = "https://github.com/cfmock/cfmock/blob/main/docs"


class CfmockError(Exception):
    """Base class of every usage error cfmock raises in the test process."""


class NotStartedError(CfmockError):
    """``stop()`` (or ``__exit__``) was called on an activator that is not started."""


class FunctionNotFoundError(CfmockError, LookupError):
    """The handle was asked for a connection function that the mock does not hold."""


class StoreNotFoundError(CfmockError, LookupError):
    """The handle was asked for a KeyValueStore that the mock does not hold."""


class DistributionNotFoundError(CfmockError, LookupError):
    """The handle was asked for a distribution that the mock does not hold."""


class TrustStoreNotFoundError(CfmockError, LookupError):
    """The handle was asked for a trust store that the mock does not hold."""


class UnsupportedOperationError(CfmockError):
    """A CloudFront operation that cfmock does not implement was called while a mock is active.

    The request never reaches the network. The message names the operation and lists the
    operations cfmock answers.
    """

    def __init__(self, operation: str, method: str, path: str, supported: tuple[str, ...]) -> None:
        self.operation = operation
        self.method = method
        self.path = path
        self.supported = supported
        super().__init__(operation, method, path, supported)

    def __str__(self) -> str:
        return (
            f"cfmock: CloudFront operation {self.operation} ({self.method} {self.path}) is not "
            f"implemented by cfmock, and the request was stopped before reaching the network.\n"
            f"cfmock implements: {', '.join(self.supported)}.\n"
            f"To let moto answer the other CloudFront operations, activate moto's mock_aws as "
            f"well; see {DOCS_URL}/usage.md#using-cfmock-with-moto"
        )


class UnsupportedFeatureError(CfmockError):
    """A request used a part of CloudFront's behaviour that cfmock does not emulate.

    For example CreateKeyValueStore with an ``ImportSource`` (an S3 object).
    """


class InvalidSeedError(CfmockError):
    """The handle was asked to seed state that CloudFront itself would reject.

    The attribute :attr:`error` carries the modeled CloudFront error that the equivalent API
    call would have returned.
    """

    def __init__(self, error: ServiceError) -> None:
        self.error = error
        super().__init__(error)

    def __str__(self) -> str:
        return f"cfmock: CloudFront would reject this seed with {self.error.code}: {self.error}"


class ServiceError(Exception):
    """A CloudFront error shape from botocore's model, raised by the backend.

    Only the code (the error shape's name) and the message are carried; the HTTP status and the
    ``Sender``/``Receiver`` type are read from the service model when the error is serialized.
    """

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(code, message)

    def __str__(self) -> str:
        return self.message
