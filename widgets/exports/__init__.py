"""GIF, PNG, video and the standalone HTML player, from any player's export pack."""
