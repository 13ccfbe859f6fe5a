"""What Liaison says, one module per surface, so the tone stays consistent and reviewable."""
