"""Watching feeds: fetch new articles as they are published, code and store them."""
