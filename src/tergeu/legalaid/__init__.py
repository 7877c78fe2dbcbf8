"""Legal aid: the bar's duty roster and the appointment of a defender (CPC art. 66-68)."""
