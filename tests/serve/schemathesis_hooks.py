"""schemathesis hooks for tests/serve/test_contract.py (loaded through SCHEMATHESIS_HOOKS).

`/v1/batch` takes JSON Lines, declared as one string: sent as that text, the way a generated
client sends it."""

import schemathesis

schemathesis.serializer.alias(["application/x-ndjson", "application/jsonl", "application/json-lines"], "text/plain")
