"""The wire: botocore's service models, the router read from them, and the two REST codecs.

Nothing here knows CloudFront's rules; nothing outside here knows XML or JSON.
"""
