"""Evaluation: study tests, talks, anonymous democratic evaluation, assessment."""
