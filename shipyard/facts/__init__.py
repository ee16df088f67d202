"""Published hardware and model figures that sizing checks rely on."""
