"""PDF renderers (ReportLab). They take plain data and return bytes; no Qt, no database."""
