"""Block Kit for messages and the App Home tab: the presenters the use cases' ports name."""
