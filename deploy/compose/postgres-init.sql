-- one database per app, as on a real server (docs/operations.md "A city node on PostgreSQL")
CREATE DATABASE coordinator;
CREATE DATABASE city_441300;
CREATE DATABASE city_440300;
CREATE DATABASE city_511500;
