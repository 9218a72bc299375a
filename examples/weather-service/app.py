"""HTTP API: current weather for saved places, cached in Redis."""

import os
from datetime import timedelta

import requests
import yaml
from dotenv import load_dotenv
from flask import Flask, jsonify, request

from weather.cache import Cache

try:
    import ujson as json
except ImportError:
    import json

load_dotenv()
app = Flask(__name__)
cache = Cache(os.environ.get("REDIS_URL", "redis://localhost:6379/0"), ttl=timedelta(minutes=10))

with open(os.environ.get("PLACES", "places.yaml")) as f:
    PLACES = yaml.safe_load(f)


@app.get("/weather/<place>")
def weather(place: str):
    if place not in PLACES:
        return jsonify(error=f"unknown place {place}"), 404
    cached = cache.get(place)
    if cached is not None:
        return app.response_class(cached, mimetype="application/json")
    lat, lon = PLACES[place]["lat"], PLACES[place]["lon"]
    r = requests.get(
        "https://api.open-meteo.com/v1/forecast",
        params={"latitude": lat, "longitude": lon, "current_weather": "true"},
        timeout=10,
    )
    r.raise_for_status()
    body = json.dumps(r.json()["current_weather"])
    cache.set(place, body)
    return app.response_class(body, mimetype="application/json")


@app.post("/places")
def add_place():
    data = request.get_json(force=True)
    PLACES[data["name"]] = {"lat": data["lat"], "lon": data["lon"]}
    return jsonify(ok=True), 201
