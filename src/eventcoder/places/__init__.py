"""Where events happened: the gazetteer and the stage that places each event."""
