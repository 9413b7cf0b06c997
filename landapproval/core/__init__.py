"""The floor every layer stands on: errors with their exit codes, the one hardened reader of user files, sentences about a file, the one JSON encoder."""
