"""CSV -> validated Series -> split bounds -> scaled values -> window starts.

Nothing here imports TensorFlow at import time."""
