"""The Teams entrypoint: botbuilder stops here. Activities become core commands; answers are cards."""
