"""Live games: a quiz a room plays together, and the fan-out that keeps its streams current."""
