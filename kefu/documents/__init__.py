"""Shared document services: PDF (WeasyPrint + Noto CJK) for sheets and reports."""
