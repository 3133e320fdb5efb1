"""What every domain service shares: typed bilingual errors and input validation."""
