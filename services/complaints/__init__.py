"""Complaints service (监督投诉): every report investigated, every one concluded."""
