"""Reading what people send in a separate process under hard limits (see `pool` and `child`)."""
