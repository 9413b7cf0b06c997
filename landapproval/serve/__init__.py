"""The HTTP service: settings, the app, the /v1 router, the error body and body reader, the worker protocol, and the officials' workbench."""
