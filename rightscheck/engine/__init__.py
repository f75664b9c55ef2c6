"""Running a scan: items from the inputs, read, checked and merged into one result, in worker processes when it pays."""
