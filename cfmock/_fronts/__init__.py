"""The fronts: the ways a request reaches cfmock.

botocore clients (:mod:`.botocore_seam`), aiobotocore clients (:mod:`.aiobotocore_seam`), the
``requests`` library (:mod:`.requests_front`) and HTTP over a socket (:mod:`.server`). Each is
a thin adapter: it turns what it receives into a :class:`~cfmock._wire.http.HttpRequest`, asks
:mod:`.base` which service it is for, hands it to the dispatcher, and follows :mod:`.base`'s one
policy for a request nothing answers.
"""
