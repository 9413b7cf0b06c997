"""A case file taken in: validation with field paths and lines, the sentences that explain each mistake, and the template of `landapproval init`."""
