// The Mini App's progress screens.
