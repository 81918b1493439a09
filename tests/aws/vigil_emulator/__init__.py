"""Vigil's AWS emulator: moto in server mode plus what Vigil's tests need and moto lacks.

moto emulates the AWS control plane but records no API activity, enforces no role trust
policies and cannot be told to fail. This package wraps moto's WSGI app in a middleware
that records every served call as a CloudTrail event (LookupEvents, trail delivery to S3),
injects faults, and enforces AssumeRole trust policies, so Vigil's real AWS SDK code is
tested over the real wire protocol.
"""

DEFAULT_ACCOUNT_ID = "123456789012"
