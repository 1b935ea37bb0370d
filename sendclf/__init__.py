"""sendclf: polarity and theme labels for SEND inspection sentences."""
