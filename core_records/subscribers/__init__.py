"""Event subscribers: partners that receive the canonical event envelope as it is, over
signed HTTP, added at run time (``gatehouse subscribers add``) rather than in code."""
