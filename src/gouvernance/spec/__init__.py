"""Process models (templates): the immutable, versioned spec a journey is launched from."""
