"""Business rules. Services take plain values, an engine or session, the clock and, where Slack
must be asked, a `WebClient`; they never see a Bolt request and return data, not blocks."""
