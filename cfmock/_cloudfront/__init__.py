"""The CloudFront domain: connection functions, KeyValueStores, their rules and their state.

Plain typed Python in and out, no HTTP and no botocore objects: one module per resource, its
validation, and the operation adapters that map a parsed request to the backend.
"""
