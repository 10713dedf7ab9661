"""Helpers for tests: kept out of the `kefu` package so that the product never imports them."""
