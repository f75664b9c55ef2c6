"""What every stage shares: errors, the finding contract and scan result, safe reading and writing of files."""
