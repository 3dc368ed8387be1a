// The Mini App's decks screens.
