"""CSV -> validated Series -> split bounds -> scaled values -> window starts. No TensorFlow at import."""
