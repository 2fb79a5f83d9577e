"""The only code that changes state. Each action validates, writes inside
`Hearth.transaction()`, and emits its events for publication after commit."""
