DROP TABLE scheduling_video_rooms;
