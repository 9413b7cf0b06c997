"""The case file (contract landapproval/v1): the models, the words officials type, the one walker over the models, and normalisation."""
