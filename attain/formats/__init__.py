"""Date and number formats for languages Django has no format module for."""
