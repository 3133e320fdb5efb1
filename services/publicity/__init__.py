"""Publicity: articles and quotas, public commitments, notices, the public board."""
