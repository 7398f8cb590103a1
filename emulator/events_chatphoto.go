package emulator

import (
	"github.com/polygram/polygram/tl"
	"github.com/polygram/polygram/tl/api"
)

func init() {
	on(needUser, messagesEditChatPhoto)
	on(needUser, channelsEditPhoto)
}

// chatPhotoAction turns an InputChatPhoto into the service action that
// announces it: a new photo from an upload, or the photo removed.
func (c *call) chatPhotoAction(in api.InputChatPhotoClass) (api.MessageActionClass, error) {
	switch x := in.(type) {
	case *api.InputChatPhotoEmpty:
		return &api.MessageActionChatDeletePhoto{}, nil
	case *api.InputChatUploadedPhoto:
		if x.File == nil {
			return nil, errf(400, "PHOTO_FILE_MISSING")
		}
		f, err := c.newPhoto(x.File)
		if err != nil {
			return nil, err
		}
		return &api.MessageActionChatEditPhoto{Photo: f.photo()}, nil
	}
	return nil, errf(400, "PHOTO_INVALID")
}

func messagesEditChatPhoto(c *call, q *api.MessagesEditChatPhotoRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.memberChat(c.u, q.ChatID)
	if err != nil {
		return nil, err
	}
	if !ch.allows(c.u.ID, banChangeInfo) {
		return nil, errf(400, "CHAT_ADMIN_REQUIRED")
	}
	action, err := c.chatPhotoAction(q.Photo)
	if err != nil {
		return nil, err
	}
	return m.chatService(c.u, ch, action, c.ks.ref)
}

func channelsEditPhoto(c *call, q *api.ChannelsEditPhotoRequest) (tl.Object, error) {
	m := c.e.m
	ch, err := m.inputChannel(c.u, q.Channel)
	if err != nil {
		return nil, err
	}
	if ch.member(c.u.ID) == nil {
		return nil, errf(400, "CHANNEL_PRIVATE")
	}
	if !ch.mayChangeInfo(c.u.ID) {
		return nil, errf(403, "CHAT_ADMIN_REQUIRED")
	}
	action, err := c.chatPhotoAction(q.Photo)
	if err != nil {
		return nil, err
	}
	return m.channelService(c.u, ch, action, c.ks.ref), nil
}
