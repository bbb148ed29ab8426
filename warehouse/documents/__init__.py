"""Paper the depot files: plain records in, PDF bytes out (reportlab; no Flask, no database)."""
